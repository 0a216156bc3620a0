# Set these as the repository's (or the production environment's) variables for .github/workflows/deploy.yml.
output "AWS_REGION" {
  value = var.region
}

output "AWS_ACCOUNT_ID" {
  value = data.aws_caller_identity.current.account_id
}

output "AWS_DEPLOY_ROLE_ARN" {
  value = aws_iam_role.deploy.arn
}

output "PUBLIC_URL" {
  value = var.public_url
}

output "TWILIO_WHATSAPP_FROM" {
  value = var.twilio_whatsapp_from
}

output "load_balancer_dns_name" {
  description = "Point the public URL's host name (CNAME/alias) here."
  value       = aws_lb.main.dns_name
}

output "ecr_repository_url" {
  value = aws_ecr_repository.bot.repository_url
}
