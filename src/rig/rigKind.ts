/**
 * The rig families a rig adapter recognises. Its own file because both the plan (rigPlan.ts) and the
 * solver's view of the rig (rigDescription.ts) name it, and those two must not import each other.
 */

/** The rig families we recognise. */
export type RigKind = 'flame' | 'arkit' | 'custom';
