/** @file Pure lip-sync metrics of the paper (MTM, PLRS, SLCC, LVE, FDD): the `./metrics` subpath. */
export {};
