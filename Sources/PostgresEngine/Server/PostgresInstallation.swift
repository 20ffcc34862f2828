import Foundation

/// Where PostgreSQL's server programs are.
///
/// Searched, first match wins: the folders of `SIM_CASCADE_PG_BIN` (colon-separated; when set,
/// nothing else is searched), else the folder `pg_ctl` on `PATH` resolves to (a link, such as
/// one in `/usr/local/bin`, is followed to the folder that holds the other programs; Debian
/// puts none of them on `PATH`), else the newest
/// `/usr/lib/postgresql/VERSION/bin`. A folder counts when it holds all of `initdb`, `pg_ctl`
/// and `postgres`.
public struct PostgresInstallation: Sendable, Equatable {
    public let binDirectory: String

    public static let programs = ["initdb", "pg_ctl", "postgres"]

    public init(binDirectory: String) { self.binDirectory = binDirectory }

    public func program(_ name: String) -> String { binDirectory + "/" + name }

    /// - Throws: `EngineError.postgresMissing` naming what was searched.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              versionsRoot: String = "/usr/lib/postgresql") throws -> PostgresInstallation {
        let candidates = searchedFolders(environment: environment, versionsRoot: versionsRoot)
        for folder in candidates where isComplete(folder) { return PostgresInstallation(binDirectory: folder) }
        let searched = environment["SIM_CASCADE_PG_BIN"].map { "SIM_CASCADE_PG_BIN=\($0)" }
            ?? "PATH and \(versionsRoot)/*/bin"
        throw EngineError.postgresMissing(searched: searched)
    }

    static func searchedFolders(environment: [String: String], versionsRoot: String) -> [String] {
        if let given = environment["SIM_CASCADE_PG_BIN"] { return given.split(separator: ":").map(String.init) }
        var folders: [String] = []
        for entry in (environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(entry)/pg_ctl"
            if FileManager.default.isExecutableFile(atPath: path) {
                folders.append((URL(fileURLWithPath: path).resolvingSymlinksInPath().path as NSString).deletingLastPathComponent)
            }
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: versionsRoot)) ?? []
        for version in versions.compactMap(Int.init).sorted(by: >) { folders.append("\(versionsRoot)/\(version)/bin") }
        return folders
    }

    static func isComplete(_ folder: String) -> Bool {
        programs.allSatisfy { FileManager.default.isExecutableFile(atPath: folder + "/" + $0) }
    }
}
