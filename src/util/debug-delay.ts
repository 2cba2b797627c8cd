// Redis's debugDelay, behind the hidden `key-load-delay` option (a test knob: it makes loading
// slow enough to observe LOADING from outside). Sleeps `usec` microseconds, blocking, as Redis's
// usleep does; a negative value sleeps 1 µs once every |usec| calls on average (a short sleep
// costs a context switch whatever its length).

const cell = new Int32Array(new SharedArrayBuffer(4));

export function debugDelay(usec: number): void {
  if (usec < 0) usec = Math.floor(Math.random() * -usec) === 0 ? 1 : 0;
  if (usec > 0) Atomics.wait(cell, 0, 0, usec / 1000);
}
