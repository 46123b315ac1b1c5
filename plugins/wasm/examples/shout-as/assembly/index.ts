// shout, the Danmaku example plugin in AssemblyScript: it rejects, with the
// reason "please don't shout", a comment of more than min_length characters
// whose letters are all capitals. Build: npm install && npm run build.

@external("danmaku", "comment_field")
declare function comment_field(field: i32, buf: usize, cap: i32): i32;
@external("danmaku", "setting")
declare function setting(key: usize, keyLen: i32, buf: usize, cap: i32): i32;
@external("danmaku", "set_reason")
declare function set_reason(ptr: usize, len: i32): void;

const FIELD_TEXT = 5;
const ALLOW = 0;
const REJECT = 2;

let minLength = 8;

// read calls get with a buffer, once more with a larger one if the value did not fit.
function read(get: (buf: usize, cap: i32) => i32): string | null {
  let buf = new ArrayBuffer(256);
  let n = get(changetype<usize>(buf), buf.byteLength);
  if (n < 0) return null;
  if (n > buf.byteLength) {
    buf = new ArrayBuffer(n);
    n = get(changetype<usize>(buf), n);
  }
  return String.UTF8.decodeUnsafe(changetype<usize>(buf), n);
}

function say(reason: string): void {
  const r = String.UTF8.encode(reason);
  set_reason(changetype<usize>(r), r.byteLength);
}

export function danmaku_abi_version(): i32 {
  return 1;
}

export function danmaku_init(): i32 {
  const v = read((buf: usize, cap: i32): i32 => {
    const key = String.UTF8.encode("min_length");
    return setting(changetype<usize>(key), key.byteLength, buf, cap);
  });
  if (v == null) return 0;
  const n = I32.parseInt(v);
  if (n < 0 || n.toString() != v) {
    say("min_length must be a whole number, got " + v);
    return 1;
  }
  minLength = n;
  return 0;
}

export function danmaku_moderate(): i32 {
  const text = read((buf: usize, cap: i32): i32 => comment_field(FIELD_TEXT, buf, cap))!;
  let runes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) runes++; // a low surrogate ends a character already counted
  }
  if (runes > minLength && text.toUpperCase() == text && text.toLowerCase() != text) {
    say("please don't shout");
    return REJECT;
  }
  return ALLOW;
}
