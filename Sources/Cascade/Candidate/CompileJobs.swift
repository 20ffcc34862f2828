import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a candidate is built: the same executable either way, byte for byte
/// (`CompileJobsTests.bothPipelinesBuildTheSameExecutable`), at different costs. Chosen by
/// `$SIM_CASCADE_COMPILE_PIPELINE` (`planned-jobs`, the default, or `driver`; any other
/// value is the default).
public enum CompilePipeline: String, Sendable, CaseIterable {
    /// The jobs swiftc's driver and clang plan, planned once per toolchain (`CompileJobs`) and
    /// run directly: the frontend, `swift-autolink-extract` and the linker. Saves the drivers'
    /// starts (swiftc's about 0.08 CPU-s each, twice a build). Falls back to `driver` when a
    /// plan has a shape it does not know.
    case plannedJobs = "planned-jobs"
    /// `swiftc -c` then `swiftc` to link: the driver plans and runs the jobs of every build.
    case driver
}

/// The jobs swiftc's driver runs for a candidate build (`swiftc … -###`), with the build's
/// per-machine paths (the API folder, the module cache) as placeholders; the link is the
/// linker job clang plans for the driver's link (`clang … -###`), so no driver runs at all.
///
/// A plan is made once per toolchain, flags and cache (`CandidateCompiler.plannedJobs`) and
/// kept on disk beside the compile cache: asking the driver costs what running it does.
/// Only plans of the known shape are accepted (one frontend job to compile; an autolink
/// extraction writing a driver temporary file, then one link job reading it), so a driver
/// that plans something else is simply run itself.
struct CompileJobs: Codable, Equatable, Sendable {
    /// `swift-frontend -frontend -c …` writing `candidate.o`.
    var frontend: [String]
    /// `swift-autolink-extract candidate.o -o candidate.autolink` (always four words).
    var autolinkExtract: [String]
    /// The linker's own job (what clang would run), reading `@candidate.autolink`.
    var link: [String]
    /// `fileStamp()` when the plan was made: a plan names the host's files (the tools, the C
    /// runtime's objects, library folders), which an upgrade moves; a plan whose files changed
    /// is made again rather than blaming every candidate for a link that cannot succeed.
    var stamp = ""

    /// Stand-ins for the API folder and the module cache in a plan (no build has such paths).
    static let apiPlaceholder = "/sim-cascade-planned/api"
    static let moduleCachePlaceholder = "/sim-cascade-planned/module-cache"
    /// The autolink file, in the build folder.
    static let autolinkFile = "candidate.autolink"
    /// What the autolink file holds while clang plans the link: clang reads response files
    /// itself, so the linker job has this word where the file's contents go.
    static let autolinkMarker = "-lSIMCASCADEPLANNEDAUTOLINK"

    /// Size, modification time and kind of every host path the jobs name (a word that is a
    /// path, or `-L`, `-I` or `@` and a path), or that it is missing; placeholders excluded.
    /// - Complexity: a `stat` per path named (a few dozen).
    func fileStamp() -> String {
        var seen = Set<String>()
        var stamp = FNV1a()
        for word in frontend + autolinkExtract + link {
            // A path alone, after `-L`, `-I` or `@`, or after the `=` of an option (`--sysroot=/…`).
            let path = ["-L", "-I", "@"].first(where: { word.hasPrefix($0 + "/") }).map { String(word.dropFirst($0.count)) }
                ?? word.range(of: "=/").map { String(word[word.index(before: $0.upperBound)...]) } ?? word
            guard path.hasPrefix("/"), !path.hasPrefix("/sim-cascade-planned/"), seen.insert(path).inserted else { continue }
            var info = stat()
            let described = stat(path, &info) == 0
                ? "\(info.st_mode & S_IFMT) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)" : "missing"
            stamp.combine(Data("\(path) \(described)".utf8))
        }
        return stamp.hex
    }

    /// Whether the jobs have the shape `buildSteps` runs (a plan read from disk is checked
    /// again: the file is the cache's, and an empty job would run nothing).
    var isWellFormed: Bool {
        frontend.count > 2 && Self.basename(frontend[0]) == "swift-frontend"
            && autolinkExtract == [autolinkExtract.first ?? "", "candidate.o", "-o", Self.autolinkFile]
            && autolinkExtract[0].hasPrefix("/") && link.count > 3 && link[0].hasPrefix("/") && link.contains("@" + Self.autolinkFile)
    }

    /// The jobs with the placeholders replaced by this build's paths.
    func substituting(api: String, moduleCache: String?) -> CompileJobs {
        func fill(_ argv: [String]) -> [String] {
            argv.map { word in
                var word = word.replacingOccurrences(of: Self.apiPlaceholder, with: api)
                if let moduleCache { word = word.replacingOccurrences(of: Self.moduleCachePlaceholder, with: moduleCache) }
                return word
            }
        }
        return CompileJobs(frontend: fill(frontend), autolinkExtract: fill(autolinkExtract), link: fill(link), stamp: stamp)
    }

    /// The driver's plan in its `-###` listings of a compile and of a link: the frontend job,
    /// the autolink extraction, and the link job with `@candidate.autolink` in place of the
    /// driver's temporary file. `nil` when either listing is not of the known shape.
    /// `temporary` is the driver's temporary folder.
    /// - Complexity: O(length of the listings).
    static func driverPlan(compileListing: String, linkListing: String, temporary: String)
        -> (frontend: [String], autolinkExtract: [String], clangLink: [String])? {
        let compileJobs = compileListing.split(separator: "\n").map { words(String($0)) }
        let linkJobs = linkListing.split(separator: "\n").map { words(String($0)) }
        guard compileJobs.count == 1, let frontend = compileJobs[0], linkJobs.count == 2,
              let extract = linkJobs[0], let link = linkJobs[1],
              frontend.count > 2, basename(frontend[0]) == "swift-frontend", frontend[1] == "-frontend",
              frontend.contains("-c"), frontend.suffix(2) == ["-o", "candidate.o"],
              extract.count == 4, basename(extract[0]) == "swift-autolink-extract",
              extract[1] == "candidate.o", extract[2] == "-o", extract[3].hasPrefix(temporary + "/"),
              link.count > 3, basename(link[0]).hasPrefix("clang"), link.suffix(2) == ["-o", "candidate"],
              link.contains("@" + extract[3])
        else { return nil }
        let temporaryFile = extract[3]
        let rewritten = link.map { $0 == "@" + temporaryFile ? "@" + autolinkFile : $0 }
        // No other job may use the driver's temporary folder: it is gone when the plan is used.
        guard !(frontend + rewritten).contains(where: { $0.contains(temporary) }) else { return nil }
        return (frontend, Array(extract.prefix(3)) + [autolinkFile], rewritten)
    }

    /// The linker job in clang's `-###` listing of a link whose autolink file held
    /// `autolinkMarker`, with `@candidate.autolink` in the marker's place; `nil` unless the
    /// listing has exactly one job, naming the marker once, `candidate.o` and `-o candidate`.
    /// - Complexity: O(length of the listing).
    static func linkerJob(clangListing: String) -> [String]? {
        // clang prints its version and settings first; jobs are the lines that start with a blank.
        let jobs = clangListing.split(separator: "\n").filter { $0.hasPrefix(" ") }.map { words(String($0)) }
        guard jobs.count == 1, let job = jobs[0], job.count > 3,
              job.filter({ $0 == autolinkMarker }).count == 1, job.contains("candidate.o"),
              zip(job, job.dropFirst()).contains(where: { $0 == "-o" && $1 == "candidate" })
        else { return nil }
        return job.map { $0 == autolinkMarker ? "@" + autolinkFile : $0 }
    }

    /// A `-###` line split into words as a POSIX shell would: blanks separate words; single
    /// quotes keep everything; double quotes keep everything but `\"`, `\\`, `\$` and `` \` ``;
    /// a backslash outside quotes keeps the next character. `nil` for an unterminated quote,
    /// or a character a shell could treat specially (`$`, `` ` ``, `;`, `&`, `|`, `<`, `>`,
    /// `*`, `?`, `[`, `]`, `(`, `)`, `{`, `}`, `~`, `#`, `!`) outside quotes: such a line is not
    /// taken apart here (no plan is made of it).
    /// - Complexity: O(line length).
    static func words(_ line: String) -> [String]? {
        var words: [String] = []
        var word: [Character] = []
        var inWord = false
        var iterator = line.makeIterator()
        while let c = iterator.next() {
            switch c {
            case " ", "\t":
                if inWord { words.append(String(word)); word = []; inWord = false }
            case "'":
                inWord = true
                while true {
                    guard let q = iterator.next() else { return nil }
                    if q == "'" { break }
                    word.append(q)
                }
            case "\"":
                inWord = true
                while true {
                    guard let q = iterator.next() else { return nil }
                    if q == "\"" { break }
                    if q == "\\" {
                        guard let next = iterator.next() else { return nil }
                        if !"\"\\$`".contains(next) { word.append(q) }
                        word.append(next)
                    } else {
                        word.append(q)
                    }
                }
            case "\\":
                guard let next = iterator.next() else { return nil }
                inWord = true
                word.append(next)
            case "$", "`", ";", "&", "|", "<", ">", "*", "?", "[", "]", "(", ")", "{", "}", "~", "#", "!":
                return nil
            default:
                inWord = true
                word.append(c)
            }
        }
        if inWord { words.append(String(word)) }
        return words
    }

    static func basename(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
