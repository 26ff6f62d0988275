namespace digikit::firmware {}
