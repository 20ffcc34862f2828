        let remaining = v.remainingWork
        if remaining <= 1e-3 { return MultiRegionDecision(.none) }
        let left = ((v.deadline - v.elapsed) / v.gap).rounded(.down) * v.gap
        let need1 = ((remaining + v.restartOverhead) / v.gap).rounded(.up) * v.gap
        let need2 = ((remaining + 2 * v.restartOverhead) / v.gap).rounded(.up) * v.gap
        if need1 >= left {
            return MultiRegionDecision(v.lastCluster == .spot && v.remainingRestartOverhead < 1e-3 ? .spot : .onDemand)
        }
        if need2 >= left { return MultiRegionDecision(v.lastCluster == .spot && v.hasSpot ? .spot : .onDemand) }
        if v.hasSpot { return MultiRegionDecision(.spot) }
        return MultiRegionDecision(.none, region: (v.regionPointer + 1) % v.regionCount)
