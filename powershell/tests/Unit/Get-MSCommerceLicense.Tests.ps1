BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommerceLicense' {
    It 'Should list products once each' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{ items = @([pscustomobject]@{ productId = 'CFQ7TTC0H9MP'; productName = 'Power BI Pro'; scope = 'product'; subscriptionCount = 3; availableQuantity = 10; assignedCount = 6 }) }
        }
        $license = Get-MSCommerceLicense
        $license.PSObject.TypeNames | Should -Contain 'MSCommerce.ProductLicense'
        $license.AvailableQuantity | Should -Be 10
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Path -eq '/v1.0/licenses/products' }
    }

    It 'Should write one holder per user with the purchaser, for -GroupBy' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{
                productId   = 'CFQ7TTC0H9MP'
                productName = 'Power BI Pro'
                purchasers  = @(
                    [pscustomobject]@{
                        purchaser = [pscustomobject]@{ id = 'p1'; displayName = 'Ann'; userPrincipalName = 'ann@contoso.onmicrosoft.com' }
                        users     = @(
                            [pscustomobject]@{ id = 'u1'; displayName = 'Bob'; userPrincipalName = 'bob@contoso.onmicrosoft.com'; subscriptionId = 's1'; assignedAt = '2026-11-25T06:31:00.000Z' },
                            [pscustomobject]@{ id = 'u2'; displayName = 'Cy'; userPrincipalName = 'cy@contoso.onmicrosoft.com'; subscriptionId = 's1'; assignedAt = '2026-11-25T06:32:00.000Z' }
                        )
                    }
                )
            }
        }
        $holders = @(Get-MSCommerceLicense -ProductId CFQ7TTC0H9MP)
        $holders.Count | Should -Be 2
        $holders[1].Purchaser | Should -Be 'ann@contoso.onmicrosoft.com'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Path -eq '/v1.0/licenses/products/{productId}' -and $PathParameter.productId -eq 'CFQ7TTC0H9MP'
        }
    }
}
