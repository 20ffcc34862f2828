import Foundation
import SimCore

/// What a candidate's build asks of the linker, checked between the compile and the link.
///
/// The candidate's source controls the bytes of its object file, including sections the link
/// reads as instructions: Swift's `@used @section(".swift1_autolink_entries")` puts strings
/// there that `swift-autolink-extract` hands the linker as arguments (`-Wl,…`, `--ld-path=…`:
/// any flag, any file), and lld reads `.deplibs` sections as libraries to load. So the object may
/// ask only for libraries by name (`-lNAME`: found in the link's search folders, never a path),
/// and no linker options or dependent libraries at all; the linked executable must be static
/// (no interpreter: one whose `execve` fails would be a machine error, not the candidate's).
/// ELF64 little-endian only, as every supported toolchain writes.
enum CandidateObjectCheck {
    /// Why the object may not be linked, or `nil` when it may.
    /// - Complexity: O(size of the section headers and of the checked sections).
    static func objectRefusal(_ data: Data) -> String? {
        guard let elf = ELF64(data), elf.type == 1 else { return "the compiler's output is not an ELF64 relocatable object" }
        guard let sections = elf.sections() else { return "the object's section table is unreadable" }
        for s in sections {
            switch (s.name, s.type) {
            case (".swift1_autolink_entries", _):
                guard let bytes = elf.bytes(offset: s.offset, count: s.size) else { return "the object's autolink entries are unreadable" }
                for entry in bytes.split(separator: 0) {
                    let text = String(decoding: entry, as: UTF8.self)
                    guard isLibraryName(text) else {
                        return "the object asks the linker for \(Escaped.value(String(text.prefix(200)))), which is not a library name (`-lNAME`)"
                    }
                }
            // `.deplibs` even empty (no candidate has a reason to name it); SHT_LLVM_DEPENDENT_LIBRARIES
            // by any name once it holds something.
            case (let name, let type) where name == ".deplibs" || (type == 0x6fff_4c04 && s.size > 0):
                return "the object names dependent libraries (\(s.name)), which a candidate may not"
            case (_, 0x6fff_4c01) where s.size > 0:  // SHT_LLVM_LINKER_OPTIONS
                return "the object carries linker options (\(s.name)), which a candidate may not"
            default:
                continue
            }
        }
        return nil
    }

    /// Why the linked executable may not run in the sandbox, or `nil` when it may: a static
    /// executable for this machine, with no interpreter and no dynamic section, and a program
    /// header table the kernel accepts. `execve` refuses some files before the sandbox can tell
    /// the candidate's failure from the machine's (≥ 64 KiB of program headers: a source can make
    /// lld write one per differently aligned `.note*` section), so those are refused here.
    static func executableRefusal(_ data: Data) -> String? {
        guard let elf = ELF64(data), elf.type == 2 else { return "the linked file is not a static ELF64 executable" }
        guard elf.machine == ELF64.hostMachine else { return "the executable is not for this machine" }
        guard let types = elf.programHeaderTypes(), types.count <= maxProgramHeaders else {
            return "the executable's program headers are unreadable or more than \(maxProgramHeaders)"
        }
        if types.contains(3) { return "the executable names a program interpreter: it must be static" }  // PT_INTERP
        if types.contains(2) { return "the executable has a dynamic section: it must be static" }  // PT_DYNAMIC
        return nil
    }

    /// A static Swift executable has about ten.
    static let maxProgramHeaders = 64

    /// `-l` and a name of letters, digits, `_`, `+`, `.` and `-` (no `/` or `:`: never a path).
    static func isLibraryName(_ entry: String) -> Bool {
        guard entry.hasPrefix("-l"), entry.utf8.count > 2, entry.utf8.count <= 200 else { return false }
        let name = entry.utf8.dropFirst(2)
        guard let first = name.first, first != UInt8(ascii: "-"), first != UInt8(ascii: ".") else { return false }
        return name.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: "_") || b == UInt8(ascii: "+") || b == UInt8(ascii: ".") || b == UInt8(ascii: "-")
        }
    }
}

/// The few fields of an ELF64 little-endian file the checks read, every read bounds-checked.
struct ELF64 {
    let data: Data
    let type: UInt16
    let machine: UInt16

    /// `e_machine` of this process's architecture (EM_X86_64, EM_AARCH64).
    static let hostMachine: UInt16 = {
        #if arch(x86_64)
        return 62
        #elseif arch(arm64)
        return 183
        #else
        return 0
        #endif
    }()

    struct Section { var name: String; var type: UInt32; var offset: Int; var size: Int }

    init?(_ data: Data) {
        guard data.count >= 64, data.prefix(4).elementsEqual([0x7F, 0x45, 0x4C, 0x46]),
              data[data.startIndex + 4] == 2, data[data.startIndex + 5] == 1 else { return nil }
        self.data = data
        type = UInt16(truncatingIfNeeded: Self.read(data, 16, 2) ?? 0)
        machine = UInt16(truncatingIfNeeded: Self.read(data, 18, 2) ?? 0)
    }

    /// The sections, with names; `nil` for a table out of bounds or in extended numbering.
    func sections() -> [Section]? {
        guard let offset = field(40, 8), let entrySize = field(58, 2), let count = field(60, 2), let names = field(62, 2),
              entrySize >= 64, count > 0, names < count, names != 0xFFFF else { return nil }
        var raw: [(name: Int, type: UInt32, offset: Int, size: Int)] = []
        for i in 0..<count {
            let base = offset + i * entrySize
            guard let name = field(base, 4), let type = field(base + 4, 4), let start = field(base + 24, 8),
                  let size = field(base + 32, 8) else { return nil }
            raw.append((name, UInt32(type), start, size))
        }
        let table = raw[names]
        guard let strings = bytes(offset: table.offset, count: table.size) else { return nil }
        return raw.map { s in
            let name = s.name < strings.count ? strings[s.name...].prefix { $0 != 0 } : []
            // A section without file contents (NOBITS) reads as empty.
            return Section(name: String(decoding: name, as: UTF8.self), type: s.type, offset: s.offset, size: s.type == 8 ? 0 : s.size)
        }
    }

    /// The types of the program headers; `nil` when out of bounds.
    func programHeaderTypes() -> [UInt32]? {
        guard let offset = field(32, 8), let entrySize = field(54, 2), let count = field(56, 2), entrySize == 56, count > 0 else { return nil }
        var types: [UInt32] = []
        for i in 0..<count {
            guard let type = field(offset + i * entrySize, 4) else { return nil }
            types.append(UInt32(type))
        }
        return types
    }

    /// `count` bytes from `offset`, or `nil` past the end.
    func bytes(offset: Int, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0, offset <= data.count, count <= data.count - offset else { return nil }
        return Array(data[(data.startIndex + offset) ..< (data.startIndex + offset + count)])
    }

    private func field(_ offset: Int, _ width: Int) -> Int? { Self.read(data, offset, width) }

    private static func read(_ data: Data, _ offset: Int, _ width: Int) -> Int? {
        guard offset >= 0, offset <= data.count - width else { return nil }
        var value: UInt64 = 0
        for k in 0..<width { value |= UInt64(data[data.startIndex + offset + k]) << (8 * UInt64(k)) }
        return value <= UInt64(Int.max >> 1) ? Int(value) : nil
    }
}
