#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Thin wrappers so generator code reads as math without importing Foundation everywhere.
@inline(__always) package func _log(_ x: Double) -> Double { log(x) }
@inline(__always) package func _exp(_ x: Double) -> Double { exp(x) }
@inline(__always) package func _cos(_ x: Double) -> Double { cos(x) }
@inline(__always) package func _pow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
