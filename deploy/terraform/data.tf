resource "random_password" "db" {
  length  = 32
  special = false
}

resource "aws_db_subnet_group" "main" {
  name       = var.app
  subnet_ids = aws_subnet.private[*].id
}

# Conversations (tracker store), catalog, leads and WhatsApp records.
resource "aws_db_instance" "main" {
  identifier                   = var.app
  engine                       = "postgres"
  engine_version               = "15"
  instance_class               = var.db_instance_class
  allocated_storage            = 20
  max_allocated_storage        = 200
  storage_encrypted            = true
  db_name                      = "carbot"
  username                     = "carbot"
  password                     = random_password.db.result
  db_subnet_group_name         = aws_db_subnet_group.main.name
  vpc_security_group_ids       = [aws_security_group.data.id]
  multi_az                     = true
  backup_retention_period      = 14
  deletion_protection          = true
  skip_final_snapshot          = false
  final_snapshot_identifier    = "${var.app}-final"
  performance_insights_enabled = true
}

resource "random_password" "redis" {
  length  = 32
  special = false
}

resource "aws_elasticache_subnet_group" "main" {
  name       = var.app
  subnet_ids = aws_subnet.private[*].id
}

# The lock store (one conversation's turns at a time across Rasa tasks).
resource "aws_elasticache_replication_group" "main" {
  replication_group_id       = var.app
  description                = "${var.app} lock store"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = var.redis_node_type
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  port                       = 6379
  subnet_group_name          = aws_elasticache_subnet_group.main.name
  security_group_ids         = [aws_security_group.data.id]
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
  auth_token                 = random_password.redis.result
}
