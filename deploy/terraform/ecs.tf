# The task definitions come from the same templates the deploy workflow renders (deploy/ecs/*.json); after the first
# apply the workflow registers a new revision per commit, so Terraform leaves the services' revision alone.
locals {
  template_values = {
    APP                  = var.app
    AWS_REGION           = var.region
    AWS_ACCOUNT_ID       = data.aws_caller_identity.current.account_id
    EXECUTION_ROLE_ARN   = aws_iam_role.execution.arn
    TASK_ROLE_ARN        = aws_iam_role.task.arn
    LOG_GROUP            = aws_cloudwatch_log_group.bot.name
    ACTION_HOST          = "actions.${aws_service_discovery_private_dns_namespace.main.name}"
    PUBLIC_URL           = var.public_url
    TWILIO_WHATSAPP_FROM = var.twilio_whatsapp_from
    IMAGE                = "${aws_ecr_repository.bot.repository_url}:${var.image_tag}"
  }
  task_definitions = {
    for service in ["rasa", "actions"] :
    service => jsondecode(templatefile("${path.module}/../ecs/${service}.json", local.template_values))
  }
}

resource "aws_ecs_cluster" "main" {
  name = var.app
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "bot" {
  name              = "/ecs/${var.app}"
  retention_in_days = 30
}

resource "aws_service_discovery_private_dns_namespace" "main" {
  name = "${var.app}.internal"
  vpc  = aws_vpc.main.id
}

# The Rasa tasks call the action server at actions.<app>.internal:5055.
resource "aws_service_discovery_service" "actions" {
  name = "actions"
  dns_config {
    namespace_id = aws_service_discovery_private_dns_namespace.main.id
    dns_records {
      type = "A"
      ttl  = 10
    }
    routing_policy = "MULTIVALUE"
  }
  health_check_custom_config {
    failure_threshold = 1
  }
}

resource "aws_ecs_task_definition" "bot" {
  for_each                 = local.task_definitions
  family                   = each.value.family
  requires_compatibilities = each.value.requiresCompatibilities
  network_mode             = each.value.networkMode
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = each.value.executionRoleArn
  task_role_arn            = each.value.taskRoleArn
  container_definitions    = jsonencode(each.value.containerDefinitions)
  runtime_platform {
    operating_system_family = each.value.runtimePlatform.operatingSystemFamily
    cpu_architecture        = each.value.runtimePlatform.cpuArchitecture
  }
}

resource "aws_ecs_service" "actions" {
  name            = "${var.app}-actions"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.bot["actions"].arn
  desired_count   = var.actions_count.min
  launch_type     = "FARGATE"
  network_configuration {
    subnets         = aws_subnet.private[*].id
    security_groups = [aws_security_group.actions.id]
  }
  service_registries {
    registry_arn = aws_service_discovery_service.actions.arn
  }
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  lifecycle {
    ignore_changes = [task_definition, desired_count] # the workflow and autoscaling own them
  }
}

resource "aws_ecs_service" "rasa" {
  name                              = "${var.app}-rasa"
  cluster                           = aws_ecs_cluster.main.id
  task_definition                   = aws_ecs_task_definition.bot["rasa"].arn
  desired_count                     = var.rasa_count.min
  launch_type                       = "FARGATE"
  health_check_grace_period_seconds = 300 # loading the model takes a while
  network_configuration {
    subnets         = aws_subnet.private[*].id
    security_groups = [aws_security_group.rasa.id]
  }
  load_balancer {
    target_group_arn = aws_lb_target_group.rasa.arn
    container_name   = "rasa"
    container_port   = 5005
  }
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  depends_on                         = [aws_lb_listener.https, aws_ecs_service.actions]
  lifecycle {
    ignore_changes = [task_definition, desired_count]
  }
}
