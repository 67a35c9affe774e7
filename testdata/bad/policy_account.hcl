organization {
  accounts = ["111111111111", "1234567890123"]
}
