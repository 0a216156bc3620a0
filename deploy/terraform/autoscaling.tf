resource "aws_appautoscaling_target" "service" {
  for_each           = { rasa = var.rasa_count, actions = var.actions_count }
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${var.app}-${each.key}"
  min_capacity       = each.value.min
  max_capacity       = each.value.max
  depends_on         = [aws_ecs_service.rasa, aws_ecs_service.actions]
}

# Both services: keep average CPU near 60% (one Rasa process uses about one core at full load).
resource "aws_appautoscaling_policy" "cpu" {
  for_each           = aws_appautoscaling_target.service
  name               = "${var.app}-${each.key}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = each.value.service_namespace
  scalable_dimension = each.value.scalable_dimension
  resource_id        = each.value.resource_id
  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

# Rasa: requests per task from the load balancer (about 40 turns/s per task measured; keep well below).
resource "aws_appautoscaling_policy" "requests" {
  name               = "${var.app}-rasa-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.service["rasa"].service_namespace
  scalable_dimension = aws_appautoscaling_target.service["rasa"].scalable_dimension
  resource_id        = aws_appautoscaling_target.service["rasa"].resource_id
  target_tracking_scaling_policy_configuration {
    target_value       = 1200 # requests per target per minute
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${aws_lb.main.arn_suffix}/${aws_lb_target_group.rasa.arn_suffix}"
    }
  }
}
