# Import a token by its id (from the workspace's token list). Its value cannot be
# read back: token_value stays null, so hand it to nothing that needs it.
terraform import dbsql_access_token.flow 5715498424f15ee0213be729257b53fc35a47d5953e3bdfd8ed22a0b93b339f4
