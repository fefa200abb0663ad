import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { InputError, UsageError } from '../../util/errors';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * ansible-vault's format 1.1/1.2 (AES256), which the installer's config.yml may use for a value
 * (`key: !vault |`): PBKDF2-SHA256 (10,000 rounds) over the password and salt gives the AES-256-CTR
 * key, the HMAC-SHA256 key and the counter; the HMAC is checked before anything is decrypted.
 * Only --extract decrypts, and only into a pipe.
 */
export function decryptVaulted(envelope: string, password: Buffer): string {
  const lines = envelope.trim().split(/\r?\n/).map((l) => l.trim());
  const header = lines[0]!.split(';');
  if (header[0] !== '$ANSIBLE_VAULT' || !['1.1', '1.2'].includes(header[1] ?? '') || header[2] !== 'AES256')
    throw new InputError('the !vault value is not in a format this tool reads (ansible-vault 1.1 or 1.2, AES256)');
  const body = Buffer.from(lines.slice(1).join(''), 'hex').toString('latin1').split('\n');
  if (body.length !== 3 || !body.every((p) => /^[0-9a-f]+$/i.test(p))) throw new InputError('the !vault value is damaged (not the three parts of an ansible-vault envelope)');
  const [salt, hmac, ciphertext] = body.map((p) => Buffer.from(p, 'hex')) as [Buffer, Buffer, Buffer];
  const derived = pbkdf2Sync(password, salt, 10000, 80, 'sha256');
  const [key, hmacKey, counter] = [derived.subarray(0, 32), derived.subarray(32, 64), derived.subarray(64, 80)];
  const expected = createHmac('sha256', hmacKey).update(ciphertext).digest();
  if (expected.length !== hmac.length || !timingSafeEqual(expected, hmac)) throw new InputError('the vault password does not decrypt this !vault value (wrong password, or the value was changed)');
  const decipher = createDecipheriv('aes-256-ctr', key, counter);
  const padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const pad = padded.at(-1)!;
  if (pad < 1 || pad > 16 || !padded.subarray(padded.length - pad).every((b) => b === pad)) throw new InputError('the !vault value decrypts to damaged padding');
  return padded.subarray(0, padded.length - pad).toString('utf8');
}

/** The password of a vault password file, as ansible-vault reads one (its text without surrounding whitespace); never a script. */
export function readVaultPassword(file: string): Buffer {
  const fd = (() => {
    try {
      return openSync(file, 'r');
    } catch (e) {
      throw new UsageError(`--vault-password-file ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'names no file' : 'cannot be read'}`);
    }
  })();
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UsageError('--vault-password-file must name a regular file');
    if (st.size > 64 * 1024) throw new UsageError('--vault-password-file is larger than a password file');
    const buf = Buffer.alloc(st.size);
    let n = 0;
    for (let r; n < buf.length && (r = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += r;
    const text = buf.subarray(0, n).toString('utf8').trim();
    if (!text) throw new UsageError('--vault-password-file is empty');
    return Buffer.from(text, 'utf8');
  } finally {
    closeSync(fd);
  }
}
