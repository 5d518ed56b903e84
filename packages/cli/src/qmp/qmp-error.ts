/** QEMU's error classes (the `class` member of an error reply). */
export type QmpErrorClass = 'GenericError' | 'CommandNotFound' | 'DeviceNotActive' | 'DeviceNotFound';

/** A command failed: the reply is `{"error": {"class": …, "desc": …}}`. */
export class QmpError extends Error {
  constructor(
    readonly errorClass: QmpErrorClass,
    message: string,
  ) {
    super(message);
  }
}
