/// Evaluation through fidelity levels: candidate compilation, the sandboxed child, stages and
/// gates, calibration. Filled by the candidates and cascade issues; depends on `Sim` only.
public enum Cascade {}
