import {
  CommandNonces,
  controlTopicName,
  randomToken,
  sameSecret
} from '../commandNonces';

describe('control topics and nonces', () => {
  it('names a control topic with 144 random bits, in characters ntfy accepts', () => {
    const topic = controlTopicName();
    expect(topic).toMatch(/^lmk_[-_A-Za-z0-9]{24}$/);
    // 24 base64 characters carry 144 bits.
    expect((topic.length - 4) * 6).toBeGreaterThanOrEqual(128);
  });

  it('never gives the same topic twice (100 draws)', () => {
    const topics = new Set(
      Array.from({ length: 100 }, () => controlTopicName())
    );
    expect(topics.size).toBe(100);
  });

  it('encodes random bytes in base64url without padding', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xfe, 0x00]);
    expect(randomToken(4, () => bytes)).toBe('-__-AA');
  });

  it('gives each verb its own nonce, good once', () => {
    const nonces = new CommandNonces();
    const interrupt = nonces.nonce('interrupt');
    const mute = nonces.nonce('mute');
    expect(interrupt).not.toBe(mute);
    expect(interrupt).toMatch(/^[-_A-Za-z0-9]{22}$/);
    expect(nonces.check('interrupt', interrupt)).toBe('ok');
    expect(nonces.check('interrupt', mute)).toBe('bad');
    expect(nonces.check('mute', interrupt)).toBe('bad');
    nonces.use('interrupt');
    expect(nonces.check('interrupt', interrupt)).toBe('used');
    expect(nonces.check('mute', mute)).toBe('ok');
  });

  it('binds nonces to their run: another run’s are not good here', () => {
    const one = new CommandNonces();
    const other = new CommandNonces();
    expect(one.check('interrupt', other.nonce('interrupt'))).toBe('bad');
  });

  it('compares secrets exactly, empty ones never equal', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'ab')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('abc', '')).toBe(false);
    expect(sameSecret('', '')).toBe(false);
  });
});
