// Header fitting: segments give way lowest priority first, to a shorter form before they go.
import { describe, expect, it } from 'vitest';
import { fitSegments, type Segment } from '../../src/tui/format.js';

const segs: Segment[] = [
  { key: 'mode', text: ' LIVE ', priority: 100 },
  { key: 'id', text: 'inc-1', priority: 90 },
  { key: 'title', text: 'checkout is slow', priority: 50 },
  { key: 'aws', text: 'aws prod/eu-west-1 123456789012 oncall/alice', priority: 60, shorter: [{ text: 'aws 123456789012 eu-west-1', priority: 82 }, { text: 'aws 123456789012', priority: 83 }] },
  { key: 'clock', text: '⏱ 00:01:00', priority: 80 },
];
const fit = (width: number) => fitSegments(segs, width, 2).map((s) => s.text).join('  ');

describe('fitSegments', () => {
  it('keeps everything that fits, in order', () => {
    expect(fit(200)).toBe(' LIVE   inc-1  checkout is slow  aws prod/eu-west-1 123456789012 oncall/alice  ⏱ 00:01:00');
  });

  it('drops the title, then shortens the identity, then drops the clock, then shortens again', () => {
    expect(fit(80)).toBe(' LIVE   inc-1  aws prod/eu-west-1 123456789012 oncall/alice  ⏱ 00:01:00');
    expect(fit(53)).toBe(' LIVE   inc-1  aws 123456789012 eu-west-1  ⏱ 00:01:00');
    expect(fit(52)).toBe(' LIVE   inc-1  aws 123456789012 eu-west-1');
    expect(fit(40)).toBe(' LIVE   inc-1  aws 123456789012');
    expect(fit(20)).toBe(' LIVE   inc-1');
    expect(fit(3)).toBe(' LIVE ');
  });

  it('returns the segments themselves, with the text of the form that fitted', () => {
    const [, , aws] = fitSegments(segs, 50, 2);
    expect(aws).toMatchObject({ key: 'aws', priority: 60, text: 'aws 123456789012 eu-west-1' });
    expect(segs[3]!.text).toBe('aws prod/eu-west-1 123456789012 oncall/alice');
  });
});
