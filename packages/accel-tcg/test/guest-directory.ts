import { RomGuestDirectory } from '@tsvm/x86-testsuite';

/**
 * This package's transcript guests (guests/src, bin, expected), run and compared through
 * @tsvm/x86-testsuite's harness. The random runs' runners and fixtures are in guests/random.
 */
export const guests = new RomGuestDirectory(new URL('../guests', import.meta.url));
export const randomDir = new URL('../guests/random/', import.meta.url);
