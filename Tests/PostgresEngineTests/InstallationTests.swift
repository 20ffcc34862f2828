import Foundation
import Testing
@testable import PostgresEngine

@Suite struct InstallationTests {
    @Test func missingProgramsAreOneLineNamingWhatWasSearchedAndHowToInstall() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("no-pg-\(getpid())").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(throws: EngineError.postgresMissing(searched: "PATH and \(empty)/*/bin")) {
            try PostgresInstallation.locate(environment: ["PATH": empty], versionsRoot: empty)
        }
        let error = EngineError.postgresMissing(searched: "x")
        #expect(error.description.contains("install-deps.sh") && !error.description.contains("\n"))
        #expect(error.description.contains("model levels"))
    }

    @Test func anOverrideIsTheOnlyPlaceSearched() {
        #expect(throws: EngineError.postgresMissing(searched: "SIM_CASCADE_PG_BIN=/nonexistent")) {
            try PostgresInstallation.locate(environment: ["SIM_CASCADE_PG_BIN": "/nonexistent", "PATH": "/usr/bin"])
        }
    }
}
