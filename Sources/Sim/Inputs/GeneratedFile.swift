/// A generated file: its name within its manifest's folder and its exact contents. Each
/// problem's generator writes the embedded default inputs under `traces/<problem>/` from the
/// `manifest.json` beside them.
public struct GeneratedFile: Sendable, Equatable {
    public var name: String
    public var contents: String

    public init(name: String, contents: String) {
        self.name = name
        self.contents = contents
    }
}
