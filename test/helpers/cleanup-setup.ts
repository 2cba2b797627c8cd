// vitest setupFiles entry: after each test file, remove the temp dirs its helpers made.
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dirs.js';

afterAll(() => {
  removeTempDirs();
});
