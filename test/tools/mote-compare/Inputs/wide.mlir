// A model whose argument differs from errors.mlir's (1x5 instead of 1x4).
func.func @main(%x: tensor<1x5xf32> {mote.name = "x"}) -> tensor<1x5xf32> {
  %r = mote.clamp %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x5xf32>
  return %r : tensor<1x5xf32>
}
