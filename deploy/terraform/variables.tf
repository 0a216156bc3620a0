variable "region" {
  type    = string
  default = "us-east-1"
}

variable "app" {
  description = "Name prefix of every resource; the deploy workflow's APP must match."
  type        = string
  default     = "carbot"
}

variable "github_repository" {
  description = "owner/name of the repository whose main branch may deploy (OIDC subject)."
  type        = string
}

variable "public_url" {
  description = "The HTTPS base URL customers and Twilio reach (PUBLIC_URL), e.g. https://bot.example.mx."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for the public URL's host name, served by the load balancer."
  type        = string
}

variable "twilio_whatsapp_from" {
  description = "The bot's WhatsApp sender, whatsapp:+<number>."
  type        = string
}

variable "image_tag" {
  description = "Image the services start with before the first deployment; the workflow deploys every commit after."
  type        = string
  default     = "bootstrap"
}

variable "vpc_cidr" {
  type    = string
  default = "10.40.0.0/16"
}

variable "rasa_count" {
  description = "Rasa tasks: minimum and maximum for autoscaling."
  type        = object({ min = number, max = number })
  default     = { min = 2, max = 6 }
}

variable "actions_count" {
  type    = object({ min = number, max = number })
  default = { min = 2, max = 6 }
}

variable "db_instance_class" {
  type    = string
  default = "db.t4g.medium"
}

variable "redis_node_type" {
  type    = string
  default = "cache.t4g.small"
}
