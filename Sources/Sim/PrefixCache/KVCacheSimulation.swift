import CandidateAPI
import HeapModule

/// The fine prefix-cache model's parameters.
///
/// Where the constants come from: 16 tokens per block is vLLM's default KV block size. The
/// capacity is an assumption: Llama-3-8B keeps 128 KiB of KV cache per token in fp16 (32 layers
/// × 8 KV heads × 128 dims × 2 (K, V) × 2 bytes); 4 GiB of it — the share of one GPU's cache left
/// to a batch job on an engine shared with interactive traffic — is 32,768 tokens, 2,048 blocks.
/// A token is at most 4 letters or digits, or one other character (a simple deterministic
/// stand-in for a BPE tokenizer, which averages about 4 characters per token on English text).
public struct KVCacheModel: Sendable, Equatable {
    public var blockTokens = 16
    public var capacityBlocks = 2048
    public var maxTokenScalars = 4

    public init() {}
}

/// What sending a table's rows through the cache did.
public struct KVCacheResult: Sendable, Equatable {
    public var tokens: Int
    /// Full blocks of all rows, and those found in the cache.
    public var blocks: Int
    public var hitBlocks: Int
    public var evictions: Int
    /// Tokens per block of the model it ran with.
    public var blockTokens: Int

    /// Share of full blocks served from the cache.
    public var blockHitRate: Double { blocks == 0 ? 0 : Double(hitBlocks) / Double(blocks) }
    public var savedTokens: Int { hitBlocks * blockTokens }
}

/// Rows sent one after another, in the candidate's row order, each as the tokens of its cells
/// concatenated in its field order. As in vLLM's automatic prefix caching, a full block is
/// identified by a hash of every token up to its end, so it is reused only behind an identical
/// prefix; a row's hits are its leading blocks found in the cache; then all its full blocks are
/// cached (a partial last block is not), the least recently used blocks evicted beyond capacity.
public enum KVCacheSimulation {
    /// - Precondition: `ordering` has been validated against `table`.
    /// - Complexity: O(characters + blocks · log blocks).
    public static func run(_ table: ScalarTable, ordering: PrefixOrdering, model: KVCacheModel = KVCacheModel()) -> KVCacheResult {
        var lastUse: [UInt64: Int] = [:]
        var recency = Heap<Use>()
        var clock = 0
        var result = KVCacheResult(tokens: 0, blocks: 0, hitBlocks: 0, evictions: 0, blockTokens: model.blockTokens)
        var row: [UInt32] = []
        var tokens: [UInt64] = []
        for r in ordering.rowOrder ?? Array(0..<table.rowCount) {
            row.removeAll(keepingCapacity: true)
            for field in ordering.fieldOrders[r] { table.appendCell(row: r, field: field, to: &row) }
            tokenize(row, maxScalars: model.maxTokenScalars, into: &tokens)
            result.tokens += tokens.count
            var chain: UInt64 = 0xcbf2_9ce4_8422_2325
            var leading = true
            for b in 0 ..< tokens.count / model.blockTokens {
                for t in tokens[(b * model.blockTokens) ..< ((b + 1) * model.blockTokens)] { chain = mix(chain, t) }
                result.blocks += 1
                if leading && lastUse[chain] != nil { result.hitBlocks += 1 } else { leading = false }
                clock += 1
                lastUse[chain] = clock
                recency.insert(Use(time: clock, block: chain))
                while lastUse.count > model.capacityBlocks, let oldest = recency.popMin() {
                    // Entries superseded by a later use are skipped.
                    if lastUse[oldest.block] == oldest.time {
                        lastUse[oldest.block] = nil
                        result.evictions += 1
                    }
                }
            }
        }
        return result
    }

    struct Use: Comparable {
        var time: Int
        var block: UInt64
        static func < (a: Use, b: Use) -> Bool { a.time < b.time }
    }

    /// Token ids of `scalars`: runs of letters and digits cut every `maxScalars`, and every other
    /// scalar alone.
    static func tokenize(_ scalars: [UInt32], maxScalars: Int, into tokens: inout [UInt64]) {
        tokens.removeAll(keepingCapacity: true)
        var current: UInt64 = 0xcbf2_9ce4_8422_2325
        var length = 0
        func flush() {
            if length > 0 { tokens.append(current) }
            current = 0xcbf2_9ce4_8422_2325
            length = 0
        }
        for s in scalars {
            let word = (s >= 48 && s <= 57) || (s >= 65 && s <= 90) || (s >= 97 && s <= 122)
                || (s > 127 && Unicode.Scalar(s).map { $0.properties.isAlphabetic } == true)
            if !word {
                flush()
                tokens.append(mix(0x1000_0000_0000_0001, UInt64(s)))
                continue
            }
            current = mix(current, UInt64(s))
            length += 1
            if length == maxScalars { flush() }
        }
        flush()
    }

    /// FNV-1a over the 8 bytes of `value`, continuing `hash`.
    @inline(__always)
    static func mix(_ hash: UInt64, _ value: UInt64) -> UInt64 {
        var h = hash
        var v = value
        for _ in 0..<8 {
            h = (h ^ (v & 0xff)) &* 0x0000_0100_0000_01b3
            v >>= 8
        }
        return h
    }
}

/// The cheap prefix model: a hit-rate estimate from column statistics, with no per-row string
/// work. With the table's most common field order c₁…c_k, n rows, d_c distinct values and mean
/// length L_c per column, rows are assumed to share the prefix c₁…c_j with D_j = min(n, Π d_cᵢ)
/// distinct values (columns independent), so the first row of each group misses and the others
/// hit: hits ≈ Σ_j (n − D_j) · L_cj.
public enum PrefixColumnEstimate {
    public struct Statistics: Sendable, Equatable {
        public var rows: Int
        public var distinct: [Int]
        public var meanLength: [Double]
        public var totalChars: Int
    }

    /// - Complexity: O(characters), once per table (not per candidate).
    public static func statistics(_ table: PrefixTable) -> Statistics {
        let fields = table.columns.count
        var distinct = [Int](repeating: 0, count: fields), meanLength = [Double](repeating: 0, count: fields)
        var total = 0
        for f in 0..<fields {
            var seen = Set<String>()
            var length = 0
            for row in table.rows {
                seen.insert(row[f])
                length += row[f].unicodeScalars.count
            }
            distinct[f] = seen.count
            meanLength[f] = table.rows.isEmpty ? 0 : Double(length) / Double(table.rows.count)
            total += length
        }
        return Statistics(rows: table.rows.count, distinct: distinct, meanLength: meanLength, totalChars: total)
    }

    /// The estimated hit rate of `ordering`, from its most common field order.
    /// - Complexity: O(rows · fields) to find the mode, O(fields) for the estimate.
    public static func hitRate(_ stats: Statistics, ordering: PrefixOrdering) -> Double {
        var counts: [[Int]: Int] = [:]
        for order in ordering.fieldOrders { counts[order, default: 0] += 1 }
        // The most common order; among equally common ones, the lexicographically first.
        guard let mode = counts.max(by: { a, b in a.value != b.value ? a.value < b.value : b.key.lexicographicallyPrecedes(a.key) })?.key,
              stats.totalChars > 0 else { return 0 }
        var groups = 1.0, hits = 0.0
        let n = Double(stats.rows)
        for field in mode {
            groups = min(n, groups * Double(stats.distinct[field]))
            hits += (n - groups) * stats.meanLength[field]
        }
        return hits / Double(stats.totalChars)
    }
}
