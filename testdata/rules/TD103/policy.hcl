bedrock {
  allowed_regions = ["eu-west-1"]
}
