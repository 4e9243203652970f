BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'New-MSCommerceSubscription' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            $bought = New-MSCommerceTestSubscription -Id 'central-1' -NoUsers
            $bought.purchaseType = 'Central'
            $bought.quantity = $Body.quantity
            $bought.billingFrequency = $Body.billingFrequency
            $bought.PSObject.Properties.Remove('purchaser')
            $bought
        }
    }

    Context 'Requests' {
        It 'Should POST the product, the quantity and the billing frequency to /v1.0/subscriptions' {
            $result = New-MSCommerceSubscription -ProductId 'CFQ7TTC0H9MP' -Quantity 25 -BillingFrequency Annual -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'POST' -and $Path -eq '/v1.0/subscriptions' -and $Body.productId -eq 'CFQ7TTC0H9MP' -and
                $Body.quantity -eq 25 -and $Body.billingFrequency -ceq 'Annual' -and -not $Body.ContainsKey('offerType') -and
                $TargetObject -eq 'CFQ7TTC0H9MP'
            }
            $result.PSObject.TypeNames | Should -Contain 'MSCommerce.Subscription'
            $result.SubscriptionId | Should -Be 'central-1'
            $result.PurchaseType | Should -Be 'Central'
            $result.Quantity | Should -Be 25
        }

        It 'Should bill monthly unless told otherwise' {
            $null = New-MSCommerceSubscription 'CFQ7TTC0H9MP' -Quantity 1 -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Body.billingFrequency -ceq 'Monthly' }
        }

        It 'Should send an offer type as offerType' {
            $null = New-MSCommerceSubscription -OfferType SaaS -Quantity 2 -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Body.offerType -eq 'SaaS' -and -not $Body.ContainsKey('productId') -and $TargetObject -eq 'SaaS'
            }
        }

        It 'Should pass -Token through' {
            $null = New-MSCommerceSubscription -ProductId 'CFQ7TTC0H9MP' -Quantity 1 -Token 'raw-jwt' -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Token -eq 'raw-jwt' }
        }
    }

    Context 'Pipeline' {
        It 'Should buy one subscription per piped product, from the ProductId property' {
            $piped = @([pscustomobject]@{ ProductId = 'CFQ7TTC0H9MP' }, [pscustomobject]@{ ProductId = 'CFQ7TTC0LH2H' })
            $results = @($piped | New-MSCommerceSubscription -Quantity 4 -Confirm:$false)
            $results.Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Body.productId -eq 'CFQ7TTC0LH2H' -and $Body.quantity -eq 4 }
        }

        It 'Should report a product the service refuses as a non-terminating error and buy the next one' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Body.productId -eq 'NOPE' } -MockWith {
                throw (New-MSCommerceTestErrorRecord -ErrorCode 'ProductNotFound' -Category 'ObjectNotFound' -Message 'No product has the ID NOPE' -TargetObject 'NOPE')
            }
            $piped = @([pscustomobject]@{ ProductId = 'NOPE' }, [pscustomobject]@{ ProductId = 'CFQ7TTC0H9MP' })
            $results = @($piped | New-MSCommerceSubscription -Quantity 1 -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue)
            $results.Count | Should -Be 1
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ProductNotFound*'
            $failures[0].TargetObject | Should -Be 'NOPE'
        }
    }

    Context '-WhatIf and parameters' {
        It 'Should ask before buying, as Move and Stop do: ConfirmImpact High' {
            $binding = (Get-Command -Name 'New-MSCommerceSubscription').ScriptBlock.Attributes |
                Where-Object -FilterScript { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
            $binding.ConfirmImpact | Should -Be 'High'
        }

        It 'Should buy nothing with -WhatIf' {
            $result = New-MSCommerceSubscription -ProductId 'CFQ7TTC0H9MP' -Quantity 5 -WhatIf
            $result | Should -BeNullOrEmpty
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should refuse a quantity outside 1 to 1000000 before any call' -ForEach @(0, 1000001) {
            { New-MSCommerceSubscription -ProductId 'CFQ7TTC0H9MP' -Quantity $_ -Confirm:$false } | Should -Throw
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should refuse a billing frequency other than Monthly or Annual before any call' {
            { New-MSCommerceSubscription -ProductId 'CFQ7TTC0H9MP' -Quantity 1 -BillingFrequency Weekly -Confirm:$false } | Should -Throw
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should not take a product and an offer type together' {
            { New-MSCommerceSubscription -ProductId 'CFQ7TTC0H9MP' -OfferType SaaS -Quantity 1 -Confirm:$false } | Should -Throw
        }
    }
}
