trusted_account = "666666666666"
