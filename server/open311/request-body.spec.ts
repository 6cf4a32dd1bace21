// Reading POST fields: form, multipart and JSON bodies over the query string; size, type and JSON refusals.
import { describe, expect, it } from 'vitest';
import { Open311Error } from './errors';
import { readFields } from './request-body';

const post = (body: BodyInit, contentType?: string) =>
  new Request('http://localhost/open311/v2/requests.json', {
    method: 'POST',
    headers: contentType ? { 'content-type': contentType } : {},
    body,
  });

async function refusal(p: Promise<unknown>): Promise<Open311Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Open311Error) return err;
    throw err;
  }
  throw new Error('expected an Open311Error');
}

describe('readFields', () => {
  it('reads form-encoded bodies, the body winning over the query string', async () => {
    const f = await readFields(
      post(
        'service_code=city.sanitation&description=%E5%9E%83%E5%9C%BE&lat=31.2',
        'application/x-www-form-urlencoded',
      ),
      new URLSearchParams('api_key=k&lat=1'),
    );
    expect({ ...f }).toEqual({
      service_code: 'city.sanitation',
      description: '垃圾',
      lat: '31.2',
      api_key: 'k',
    });
  });

  it('reads JSON objects, numbers as text, and skips nulls and attributes', async () => {
    const f = await readFields(
      post(
        JSON.stringify({
          service_code: 'city.sanitation',
          lat: 31.2,
          long: 121.4,
          email: null,
          attribute: { a: 1 },
        }),
        'application/json',
      ),
      new URLSearchParams(),
    );
    expect({ ...f }).toEqual({ service_code: 'city.sanitation', lat: '31.2', long: '121.4' });
  });

  it('keeps the subject attribute, flat or nested, and drops attributes no service defines', async () => {
    const form = await readFields(
      post(
        'service_code=city.sanitation&attribute%5Bsubject%5D=%E6%A0%87%E9%A2%98&attribute%5Bcolour%5D=red',
        'application/x-www-form-urlencoded',
      ),
      new URLSearchParams(),
    );
    expect({ ...form }).toEqual({ service_code: 'city.sanitation', 'attribute[subject]': '标题' });
    const json = await readFields(
      post(
        JSON.stringify({ service_code: 'city.sanitation', attribute: { subject: '标题', x: 'y' } }),
        'application/json',
      ),
      new URLSearchParams(),
    );
    expect({ ...json }).toEqual({ service_code: 'city.sanitation', 'attribute[subject]': '标题' });
  });

  it('reads multipart forms but refuses files', async () => {
    const form = new FormData();
    form.set('service_code', 'city.sanitation');
    form.set('description', '井盖');
    expect((await readFields(post(form), new URLSearchParams())).description).toBe('井盖');
    form.set('media', new Blob(['x']), 'x.jpg');
    expect((await refusal(readFields(post(form), new URLSearchParams()))).description).toMatch(
      /^media: file uploads/,
    );
  });

  it('refuses malformed JSON, non-objects and nested values with 400', async () => {
    expect(await refusal(readFields(post('{"a":', 'application/json'), new URLSearchParams()))).toMatchObject(
      {
        status: 400,
      },
    );
    expect(
      (await refusal(readFields(post('[1]', 'application/json'), new URLSearchParams()))).description,
    ).toMatch(/JSON object/);
    expect(
      (await refusal(readFields(post('{"lat":[1]}', 'application/json'), new URLSearchParams()))).description,
    ).toBe('lat must be a string or a number');
  });

  it('refuses bodies that are too large (413) or of another type (415)', async () => {
    expect(
      (
        await refusal(
          readFields(
            post('a='.padEnd(200, 'x'), 'application/x-www-form-urlencoded'),
            new URLSearchParams(),
            100,
          ),
        )
      ).status,
    ).toBe(413);
    expect((await refusal(readFields(post('<x/>', 'text/xml'), new URLSearchParams()))).status).toBe(415);
  });
});
