# Every secret the tasks read, as SSM SecureStrings named /<app>/<VARIABLE> (the task definitions' `secrets`).
# Connection URLs are written from the database and Redis created here; tokens are generated; third-party
# credentials start blank (a space: SSM refuses empty values, the app reads it as unset) and are set by an operator
# with `aws ssm put-parameter --overwrite`, which later applies leave alone.
locals {
  database_url = "postgresql+psycopg2://carbot:${random_password.db.result}@${aws_db_instance.main.address}:5432/carbot"
  generated_secrets = {
    DATABASE_URL      = local.database_url
    TRACKER_STORE_URL = local.database_url
    REDIS_URL         = "rediss://:${random_password.redis.result}@${aws_elasticache_replication_group.main.primary_endpoint_address}:6379/0"
    CHANNEL_API_TOKEN = random_password.channel_api_token.result
    ADMIN_API_TOKEN   = random_password.admin_api_token.result
    PSEUDONYM_KEY     = random_password.pseudonym_key.result
  }
  operator_secrets = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "OPENAI_API_KEY", "NOTIFY_WEBHOOK_URL"]
}

resource "random_password" "channel_api_token" {
  length  = 48
  special = false
}

resource "random_password" "admin_api_token" {
  length  = 48
  special = false
}

resource "random_password" "pseudonym_key" {
  length  = 48
  special = false
}

resource "aws_ssm_parameter" "generated" {
  for_each = local.generated_secrets
  name     = "/${var.app}/${each.key}"
  type     = "SecureString"
  value    = each.value
}

resource "aws_ssm_parameter" "operator" {
  for_each = toset(local.operator_secrets)
  name     = "/${var.app}/${each.key}"
  type     = "SecureString"
  value    = " "
  lifecycle {
    ignore_changes = [value]
  }
}
