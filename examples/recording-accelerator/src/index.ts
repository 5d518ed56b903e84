export { Journal, type JournalEntry } from './journal.js';
export {
  createRecordingAccelerator,
  RecordingAccelerator,
  type RecordingOptions,
} from './recording-accelerator.js';
