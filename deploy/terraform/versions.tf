# Infrastructure for the bot on AWS: ECR, ECS Fargate (rasa and actions services) behind an ALB, RDS PostgreSQL,
# ElastiCache Redis, SSM parameters for every secret, autoscaling, and the OIDC role the deploy workflow assumes.
# State lives in S3: terraform init -backend-config="bucket=<state bucket>" -backend-config="region=<region>"
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
  backend "s3" {
    key = "carbot/terraform.tfstate"
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { Application = var.app, ManagedBy = "terraform" }
  }
}

data "aws_caller_identity" "current" {}
data "aws_availability_zones" "available" { state = "available" }
