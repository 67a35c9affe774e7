bedrock {
  allowed_regions = ["us-east-1"]
}
