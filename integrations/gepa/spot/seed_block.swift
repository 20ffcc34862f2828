        let remaining = v.remainingWork
        if remaining <= 1e-9 { return .none }
        let left = ((v.deadline - v.elapsed) / v.gap).rounded(.down)
        let need1 = ((remaining + v.restartOverhead) / v.gap).rounded(.up)
        let need2 = ((remaining + 2 * v.restartOverhead) / v.gap).rounded(.up)
        if need1 >= left { return .onDemand }
        if need2 >= left { return v.currentCluster == .spot && v.hasSpot ? .spot : .onDemand }
        return v.hasSpot ? .spot : .none
