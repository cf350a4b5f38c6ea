// errors.mlir's model with its argument under another name.
func.func @main(%y: tensor<1x4xf32> {mote.name = "y"}) -> tensor<1x4xf32> {
  %r = mote.clamp %y {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}
