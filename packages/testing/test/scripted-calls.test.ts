import { ScriptedCalls } from '../src';

interface Api {
  reserve(ctx: unknown, productId: string, quantity: number): Promise<string>;
  release(ctx: unknown, id: string): Promise<void>;
}

class Stand extends ScriptedCalls<Api> implements Api {
  held: string[] = [];
  constructor() {
    super((step, code) => Object.assign(new Error(`${code} from ${step}`), { code }));
  }
  reserve(_ctx: unknown, productId: string, quantity: number) {
    return this.call('reserve', [productId, quantity], () => {
      this.held.push(productId);
      return `hold-${productId}`;
    });
  }
  release(_ctx: unknown, id: string) {
    return this.call('release', [id], () => undefined);
  }
}

describe('ScriptedCalls', () => {
  it('records every call with its arguments', async () => {
    const stand = new Stand();
    await stand.reserve(null, 'p1', 2);
    await stand.release(null, 'hold-p1');
    expect(stand.callsOf('reserve')).toEqual([['p1', 2]]);
    expect(stand.callsAbout('hold-p1')).toEqual([{ step: 'release', args: ['hold-p1'] }]);
  });

  it('fails a step as many times as asked, only for matching calls, without doing its work', async () => {
    const stand = new Stand();
    stand.fail('reserve', 'SERVICE_UNAVAILABLE', { times: 1, when: (productId) => productId === 'p2' });
    await expect(stand.reserve(null, 'p1', 1)).resolves.toBe('hold-p1');
    await expect(stand.reserve(null, 'p2', 1)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(stand.reserve(null, 'p2', 1)).resolves.toBe('hold-p2');
    expect(stand.held).toEqual(['p1', 'p2']);
  });

  it('fails after the work when the reply is lost', async () => {
    const stand = new Stand();
    stand.fail('reserve', 'TIMEOUT', { afterEffect: true });
    await expect(stand.reserve(null, 'p1', 1)).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(stand.held).toEqual(['p1']);
  });

  it('hangs the next call of a step until released, and heal lets everything through', async () => {
    const stand = new Stand();
    const { reached, release } = stand.hang('reserve');
    let settled = false;
    const pending = stand.reserve(null, 'p1', 1).then(() => (settled = true));
    await reached;
    await expect(stand.reserve(null, 'p2', 1)).resolves.toBe('hold-p2');
    expect(settled).toBe(false);
    release();
    await pending;
    stand.fail('release', 'CONFLICT');
    stand.hang('reserve');
    stand.heal();
    await expect(stand.release(null, 'x')).resolves.toBeUndefined();
    await expect(stand.reserve(null, 'p3', 1)).resolves.toBe('hold-p3');
  });
});
