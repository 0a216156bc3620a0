resource "aws_ecr_repository" "bot" {
  name                 = var.app
  image_tag_mutability = "IMMUTABLE" # one tag per commit; a tag never moves
  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecr_lifecycle_policy" "bot" {
  repository = aws_ecr_repository.bot.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "keep the last 30 images (rollbacks need the previous ones)"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 30 }
      action       = { type = "expire" }
    }]
  })
}
