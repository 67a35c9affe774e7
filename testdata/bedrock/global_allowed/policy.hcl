bedrock {
  allowed_regions  = ["us-east-1"]
  allowed_profiles = ["global"]
}
