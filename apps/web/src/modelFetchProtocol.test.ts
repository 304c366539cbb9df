import { shardUrls } from './modelFetchProtocol';

describe('shardUrls', () => {
  const json = 'http://127.0.0.1:4173/model/model.json';
  const folder = 'http://127.0.0.1:4173/model/';

  test('the manifest paths, resolved against model.json, in order', () => {
    const text = JSON.stringify({ weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'] }, { paths: ['sub/x.bin'] }] });
    expect(shardUrls(text, json, folder)).toEqual([`${folder}group1-shard1of2.bin`, `${folder}group1-shard2of2.bin`, `${folder}sub/x.bin`]);
  });

  test('paths that lead out of the model folder are not fetched (the load refuses them)', () => {
    const text = JSON.stringify({ weightsManifest: [{ paths: ['../secret.bin', '/etc/passwd', 'http://elsewhere.test/w.bin', '%2e%2e/x.bin', 'ok.bin'] }] });
    // URL treats %2e%2e as .., so that one leads out too.
    expect(shardUrls(text, json, folder)).toEqual([`${folder}ok.bin`]);
  });

  test('malformed JSON or manifest: nothing (the real load reports it)', () => {
    expect(shardUrls('{not json', json, folder)).toEqual([]);
    expect(shardUrls('{"weightsManifest": 3}', json, folder)).toEqual([]);
    expect(shardUrls('{"weightsManifest": [null, {"paths": [1, "a.bin"]}]}', json, folder)).toEqual([`${folder}a.bin`]);
  });
});
