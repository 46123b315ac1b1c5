// A module for the tests that exports the wrong functions: moderate where
// ABI version 1 wants danmaku_moderate.
export function danmaku_abi_version(): i32 {
  return 1;
}

export function moderate(): i32 {
  return 0;
}
