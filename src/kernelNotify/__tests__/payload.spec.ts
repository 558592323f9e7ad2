import { readNotifyPayload } from '../payload';

describe('readNotifyPayload', () => {
  it('reads what the Python helper sends', () => {
    expect(
      readNotifyPayload({
        id: 'abc',
        message: 'epoch 10 done',
        title: 'Training',
        channels: ['lab'],
        content_type: 'text/plain'
      })
    ).toEqual({
      id: 'abc',
      message: 'epoch 10 done',
      title: 'Training',
      channels: ['lab'],
      contentType: 'text/plain'
    });
  });

  it('accepts a bare message, as written by hand in R or Julia', () => {
    expect(readNotifyPayload({ message: 'done' })).toEqual({
      id: null,
      message: 'done',
      title: null,
      channels: null,
      contentType: 'text/markdown'
    });
  });

  it.each([
    [null],
    ['text'],
    [[]],
    [{}],
    [{ message: '   ' }],
    [{ message: 3 }]
  ])('refuses %p', data => {
    expect(readNotifyPayload(data)).toBeNull();
  });

  it('bounds huge messages and drops malformed channel entries', () => {
    const payload = readNotifyPayload({
      message: 'x'.repeat(50_000),
      channels: ['ok', 3, '', null]
    })!;
    expect(payload.message.length).toBe(10_000);
    expect(payload.channels).toEqual(['ok']);
  });
});
