import Testing

extension TestPaths {
    /// Whether the reference data is present (`SIM_CASCADE_DATA` or `../shared/data`).
    public static let hasReferenceData: Bool = (try? referenceData()) != nil
}

extension Trait where Self == ConditionTrait {
    /// Skips a test that reads the reference data when it is absent, naming why in the test
    /// report; everything else still runs.
    public static var needsReferenceData: Self {
        .enabled(if: TestPaths.hasReferenceData,
                 "needs the reference data (set SIM_CASCADE_DATA or place it at ../shared/data)")
    }
}
