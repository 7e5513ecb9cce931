// Rotation cadence per secret type, from seed 003's "Secret Types" table, for the secrets the
// program generates with ESO. A generator makes a new value on every refresh, so the
// cadence *is* the refresh interval; "on compromise" means generate once ("0s") and rotate by
// hand (force-sync, or deleting the value in Vault for a PushSecret with IfNotExists).

export const ROTATIONS = {
  "database-password": { cadence: "90 days", refreshInterval: "2160h" },
  "jwt-signing-key": { cadence: "30 days", refreshInterval: "720h" },
  "gitea-token": { cadence: "90 days", refreshInterval: "2160h" },
  "api-key": { cadence: "on compromise", refreshInterval: "0s" },
} as const;

export type RotationType = keyof typeof ROTATIONS;

export const ROTATION_TYPES = Object.keys(ROTATIONS) as RotationType[];

/** The ESO refresh interval that rotates a generated secret of this type on seed 003's cadence. */
export function rotationInterval(type: RotationType): string {
  return ROTATIONS[type].refreshInterval;
}

/** Rotated only by hand: the PushSecret must never overwrite what is in Vault. */
export function rotatesOnCompromise(type: RotationType): boolean {
  return ROTATIONS[type].refreshInterval === "0s";
}
