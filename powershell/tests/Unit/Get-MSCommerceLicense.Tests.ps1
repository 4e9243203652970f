BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommerceLicense' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/v1.0/licenses/products' } -MockWith {
            [pscustomobject]@{
                items = @(
                    [pscustomobject]@{ productId = 'CFQ7TTC0H9MP'; productName = 'Power BI Pro'; scope = 'product'; subscriptionCount = 3; availableQuantity = 10; assignedCount = 6 }
                    [pscustomobject]@{ productId = 'CFQ7TTC0LH2H'; productName = 'Power Apps per user'; scope = 'product'; subscriptionCount = 1; availableQuantity = 2; assignedCount = 0 }
                )
            }
        }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/v1.0/licenses/products/{productId}' } -MockWith {
            [pscustomobject]@{
                productId         = $PathParameter.productId.ToUpperInvariant()
                productName       = 'Power BI Pro'
                scope             = 'product'
                subscriptionCount = 2
                availableQuantity = 5
                assignedCount     = 3
                purchasers        = @(
                    [pscustomobject]@{
                        purchaser = [pscustomobject]@{ id = 'p1'; displayName = 'Ann'; userPrincipalName = 'ann@contoso.onmicrosoft.com' }
                        users     = @(
                            [pscustomobject]@{ id = 'u1'; displayName = 'Bob'; userPrincipalName = 'bob@contoso.onmicrosoft.com'; subscriptionId = 's1'; assignedAt = '2026-11-25T06:31:00.000Z' }
                            [pscustomobject]@{ id = 'u2'; displayName = 'Cy'; userPrincipalName = 'cy@contoso.onmicrosoft.com'; subscriptionId = 's1'; assignedAt = '2026-11-25T06:32:00.000Z' }
                        )
                    }
                    [pscustomobject]@{
                        purchaser = [pscustomobject]@{ id = 'p2'; displayName = 'Dee'; userPrincipalName = 'dee@contoso.onmicrosoft.com' }
                        users     = @(
                            [pscustomobject]@{ id = 'u3'; displayName = 'Eve'; userPrincipalName = 'eve@contoso.onmicrosoft.com'; subscriptionId = 's2'; assignedAt = '2026-11-25T07:00:00.000Z' }
                        )
                    }
                )
            }
        }
    }

    Context 'Per product' {
        It 'Should list each product once as an MSCommerce.ProductLicense' {
            $licenses = @(Get-MSCommerceLicense)
            $licenses.Count | Should -Be 2
            $licenses[0].PSObject.TypeNames | Should -Contain 'MSCommerce.ProductLicense'
            $licenses[0].ProductName | Should -Be 'Power BI Pro'
            $licenses[0].SubscriptionCount | Should -Be 3
            $licenses[0].AvailableQuantity | Should -Be 10
            $licenses[0].AssignedCount | Should -BeOfType [long]
            $licenses[0].AssignedCount | Should -Be 6
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'GET' -and $Path -eq '/v1.0/licenses/products'
            }
        }

        It 'Should pass -Token through' {
            $null = Get-MSCommerceLicense -Token 'raw-jwt'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Token -eq 'raw-jwt' }
        }
    }

    Context 'Holders of one product' {
        It 'Should write one MSCommerce.LicenseHolder per user, with the purchaser' {
            $holders = @(Get-MSCommerceLicense -ProductId 'CFQ7TTC0H9MP')
            $holders.Count | Should -Be 3
            $holders[0].PSObject.TypeNames | Should -Contain 'MSCommerce.LicenseHolder'
            @($holders | ForEach-Object -Process { $_.Purchaser }) | Should -Be @('ann@contoso.onmicrosoft.com', 'ann@contoso.onmicrosoft.com', 'dee@contoso.onmicrosoft.com')
            $holders[2].PurchaserName | Should -Be 'Dee'
            $holders[2].PurchaserId | Should -Be 'p2'
            $holders[2].UserPrincipalName | Should -Be 'eve@contoso.onmicrosoft.com'
            $holders[2].SubscriptionId | Should -Be 's2'
            $holders[2].ProductName | Should -Be 'Power BI Pro'
            $holders[2].AssignedAt.Kind | Should -Be 'Utc'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'GET' -and $Path -eq '/v1.0/licenses/products/{productId}' -and $PathParameter.productId -eq 'CFQ7TTC0H9MP' -and $TargetObject -eq 'CFQ7TTC0H9MP'
            }
        }

        It 'Should group by purchaser with Group-Object' {
            $groups = @(Get-MSCommerceLicense -ProductId 'CFQ7TTC0H9MP' | Group-Object -Property Purchaser)
            $groups.Count | Should -Be 2
            ($groups | Where-Object -Property Name -EQ 'ann@contoso.onmicrosoft.com').Count | Should -Be 2
        }

        It 'Should read every product of -ProductId' {
            $null = Get-MSCommerceLicense -ProductId 'CFQ7TTC0H9MP', 'cfq7ttc0lh2h'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 2 -Exactly -ParameterFilter { $Path -eq '/v1.0/licenses/products/{productId}' }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.productId -eq 'cfq7ttc0lh2h' }
        }

        It 'Should read the holders of each product piped in from the list' {
            $holders = @(Get-MSCommerceLicense | Get-MSCommerceLicense)
            $holders.Count | Should -Be 6
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.productId -eq 'CFQ7TTC0LH2H' }
        }

        It 'Should report an unknown product as a non-terminating error and read the next one' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.productId -eq 'NOPE' } -MockWith {
                throw (New-MSCommerceTestErrorRecord -ErrorCode 'ProductNotFound' -Category 'ObjectNotFound' -TargetObject 'NOPE')
            }
            $holders = @(Get-MSCommerceLicense -ProductId 'NOPE', 'CFQ7TTC0H9MP' -ErrorVariable failures -ErrorAction SilentlyContinue)
            $holders.Count | Should -Be 3
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ProductNotFound*'
            $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'Should write nothing for a product without self-service licenses' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.productId -eq 'CFQ7TTC0HDB1' } -MockWith {
                [pscustomobject]@{ productId = 'CFQ7TTC0HDB1'; productName = 'Project Plan 1'; scope = 'product'; subscriptionCount = 0; availableQuantity = 0; assignedCount = 0; purchasers = @() }
            }
            @(Get-MSCommerceLicense -ProductId 'CFQ7TTC0HDB1').Count | Should -Be 0
        }
    }

    Context 'Parameters' {
        It 'Should bind -ProductId from the pipeline by property name, optional' {
            $parameter = (Get-Command -Name 'Get-MSCommerceLicense' -Module 'MSCommerce').Parameters['ProductId']
            $parameter.ParameterType | Should -Be ([string[]])
            $parameter.ParameterSets['__AllParameterSets'].ValueFromPipelineByPropertyName | Should -BeTrue
            $parameter.ParameterSets['__AllParameterSets'].IsMandatory | Should -BeFalse
            $parameter.ParameterSets['__AllParameterSets'].Position | Should -Be 0
        }

        It 'Should take the product as the first positional argument' {
            $null = Get-MSCommerceLicense 'CFQ7TTC0H9MP'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.productId -eq 'CFQ7TTC0H9MP' }
        }
    }
}
