/// The evolution loop over the cascade: program store, selection, generators. Filled by the
/// evolve issue; depends on `Cascade` only.
public enum Evolve {}
