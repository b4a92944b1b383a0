/**
 * Typed errors of the rig stage. Messages say what was found on the avatar and what to pass instead.
 */
import { LipSyncError } from '../errors.ts';

/** The avatar's rig could not be recognised or mapped to lips-v1 landmarks. */
export class UnsupportedRigError extends LipSyncError {
  /** `'UnsupportedRigError'`: a literal, not the class name, because minifiers rename classes. */
  override readonly name = 'UnsupportedRigError';
  /** What was found on the mesh (counts and names), for logs and bug reports. */
  readonly found: string;
  /**
   * @param message defines what was expected and what to pass
   * @param found defines a summary of what was found on the mesh
   */
  constructor(message: string, found: string) {
    super(`${message} Found: ${found}.`);
    this.found = found;
  }
}
