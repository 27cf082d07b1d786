// kdf-worker.js - opens an encrypted key file off the main thread (Argon2id
// takes a few seconds). The seed is posted back to the page; nothing leaves
// the browser.
import { openSealedSeed } from './keyfile-kdf.js';

self.onmessage = (e) => {
  const { kf, passphrase } = e.data;
  try {
    const seed = openSealedSeed(kf, passphrase, (p) => self.postMessage({ progress: p }));
    self.postMessage({ seed });
  } catch (err) {
    self.postMessage({ error: String(err.message || err) });
  }
};
