import CandidateAPI
import Foundation
import SimCore

/// A named workload of a workload file.
public struct NamedTxnWorkload: Sendable {
    public var name: String
    public var workload: TxnWorkload
    /// Key names, indexed by key id.
    public var keyNames: [String]

    public init(name: String, workload: TxnWorkload, keyNames: [String]) {
        self.name = name
        self.workload = workload
        self.keyNames = keyNames
    }
}

/// Reads the public workload format: `{"NAME": {"txn0": "w-17 r-5 * ...", ...}, ...}`.
///
/// Transactions must be named `txn0 … txn{n-1}`; transaction `txnK` has index K. Workloads are
/// returned in natural name order (`WORKLOAD_2` before `WORKLOAD_10`).
public enum TxnWorkloadFile {
    /// - Throws: `SimError` naming the file, the workload, the transaction and the problem.
    /// - Complexity: O(total operations).
    public static func load(from url: URL) throws -> [NamedTxnWorkload] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SimError.fileNotFound(url.path, tried: [url.path])
        }
        return try decode(data, path: url.path)
    }

    /// Workloads from a file's bytes; `path` names it in errors.
    /// - Complexity: O(total operations).
    public static func decode(_ data: Data, path: String) throws -> [NamedTxnWorkload] {
        let url = URL(fileURLWithPath: path)
        // The usual file decodes straight into strings; anything else takes the slower reading
        // that can say what is wrong.
        let file: [String: [String: String]]
        if let typed = try? JSONDecoder().decode([String: [String: String]].self, from: data) {
            file = typed
        } else {
            file = try checked(data, path: url.path)
        }
        guard !file.isEmpty else { throw SimError.malformedFile(url.path, reason: "no workloads") }
        return try file.keys.sorted(by: naturalOrder).map { name in
            let transactions = file[name]!
            guard !transactions.isEmpty else {
                throw SimError.malformedFile(url.path, reason: "\(Escaped.value(name)) is not a non-empty object of transactions")
            }
            var texts = [String?](repeating: nil, count: transactions.count)
            for (txnName, text) in transactions {
                guard txnName.hasPrefix("txn"), let index = Int(txnName.dropFirst(3)), index >= 0,
                      index < texts.count, "txn\(index)" == txnName else {
                    throw SimError.malformedFile(
                        url.path, reason: "\(Escaped.value(name)): transaction names must be txn0 … txn\(texts.count - 1), found '\(Escaped.value(txnName))'")
                }
                texts[index] = text
            }
            do {
                return try parse(name: name, texts.map { $0! })
            } catch let error as SimError {
                throw SimError.malformedFile(url.path, reason: error.description)
            }
        }
    }

    /// The file read generically, each way it is not workloads of operation strings named.
    private static func checked(_ data: Data, path: String) throws -> [String: [String: String]] {
        guard let object = try? JSONSerialization.jsonObject(with: data), let file = object as? [String: Any] else {
            throw SimError.malformedFile(path, reason: "not a JSON object of workloads")
        }
        var typed: [String: [String: String]] = [:]
        for name in file.keys.sorted(by: naturalOrder) {
            guard let transactions = file[name] as? [String: Any], !transactions.isEmpty else {
                throw SimError.malformedFile(path, reason: "\(Escaped.value(name)) is not a non-empty object of transactions")
            }
            var texts: [String: String] = [:]
            for txnName in transactions.keys.sorted(by: naturalOrder) {
                guard let text = transactions[txnName] as? String else {
                    throw SimError.malformedFile(path, reason: "\(Escaped.value(name)).\(Escaped.value(txnName)) is not a string of operations")
                }
                texts[txnName] = text
            }
            typed[name] = texts
        }
        return typed
    }

    /// Parses transactions given as operation strings, split on whitespace as `str.split()` does
    /// for these texts. An all-ASCII text (the usual case) is split on its bytes in one pass; any
    /// other goes through `Character`s, whose grapheme rules it may need.
    /// - Throws: `SimError.invalidParameter` naming the transaction and the bad operation.
    /// - Complexity: O(total characters).
    public static func parse(name: String, _ texts: [String]) throws -> NamedTxnWorkload {
        var keyIDs: [Substring: Int32] = [:]
        var keyNames: [String] = []
        var transactions: [[TxnOp]] = []
        transactions.reserveCapacity(texts.count)
        for (index, text) in texts.enumerated() {
            var ops: [TxnOp] = []
            let ascii = text.utf8.allSatisfy { $0 < 0x80 }
            func add(_ token: Substring) throws {
                let kind: TxnOpKind
                if ascii {
                    let bytes = token.utf8
                    let first = bytes.first, second = bytes.dropFirst().first
                    if first == UInt8(ascii: "*") && bytes.count == 1 {
                        ops.append(TxnOp(kind: .compute, key: -1))
                        return
                    }
                    guard second == UInt8(ascii: "-"), first == UInt8(ascii: "r") || first == UInt8(ascii: "w") else {
                        throw badOperation(token, name, index, "expected r-KEY, w-KEY or *")
                    }
                    kind = first == UInt8(ascii: "r") ? .read : .write
                } else {
                    if token == "*" {
                        ops.append(TxnOp(kind: .compute, key: -1))
                        return
                    }
                    if token.hasPrefix("r-") { kind = .read } else if token.hasPrefix("w-") { kind = .write } else {
                        throw badOperation(token, name, index, "expected r-KEY, w-KEY or *")
                    }
                }
                let key = token.dropFirst(2)
                guard !key.isEmpty else { throw badOperation(token, name, index, "missing key") }
                let id: Int32
                if let known = keyIDs[key] {
                    id = known
                } else {
                    id = Int32(keyNames.count)
                    keyIDs[key] = id
                    keyNames.append(String(key))
                }
                ops.append(TxnOp(kind: kind, key: id))
            }
            if ascii {
                let bytes = text.utf8
                var start: String.Index?
                var i = bytes.startIndex
                while i < bytes.endIndex {
                    let b = bytes[i]
                    if b == 0x20 || (b >= 0x09 && b <= 0x0D) {
                        if let s = start { try add(text[s..<i]) }
                        start = nil
                    } else if start == nil {
                        start = i
                    }
                    bytes.formIndex(after: &i)
                }
                if let s = start { try add(text[s..<bytes.endIndex]) }
            } else {
                for token in text.split(whereSeparator: \.isWhitespace) { try add(token) }
            }
            guard !ops.isEmpty else {
                throw SimError.invalidParameter(name: "transaction", value: "\(Escaped.value(name)).txn\(index)", reason: "has no operations")
            }
            transactions.append(ops)
        }
        return NamedTxnWorkload(name: name, workload: TxnWorkload(transactions: transactions, keyCount: keyNames.count),
                                keyNames: keyNames)
    }

    private static func badOperation(_ token: Substring, _ name: String, _ index: Int, _ reason: String) -> SimError {
        SimError.invalidParameter(name: "operation", value: String(token), reason: "in \(Escaped.value(name)).txn\(index): \(reason)")
    }

    /// `WORKLOAD_2` before `WORKLOAD_10`: digit runs compare as numbers.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        func parts(_ s: String) -> [(String, Int?)] {
            var result: [(String, Int?)] = []
            var current = ""
            var digits = false
            for ch in s {
                if ch.isASCII && ch.isNumber != digits && !current.isEmpty {
                    result.append((current, digits ? Int(current) : nil))
                    current = ""
                }
                digits = ch.isASCII && ch.isNumber
                current.append(ch)
            }
            if !current.isEmpty { result.append((current, digits ? Int(current) : nil)) }
            return result
        }
        for (x, y) in zip(parts(a), parts(b)) where x.0 != y.0 {
            if let nx = x.1, let ny = y.1, nx != ny { return nx < ny }
            return x.0 < y.0
        }
        return parts(a).count < parts(b).count
    }
}
