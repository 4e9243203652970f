BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'New-MSCommercePurchase' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            New-MSCommerceTestSubscription -Id 's1'
        }
    }

    It 'Should buy one license of a product by default' {
        $bought = New-MSCommercePurchase -ProductId 'CFQ7TTC0H9MP' -Confirm:$false
        $bought.PSObject.TypeNames | Should -Contain 'MSCommerce.Subscription'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'POST' -and $Path -eq '/v1.0/me/subscriptions' -and $Body.productId -eq 'CFQ7TTC0H9MP' -and
            $Body.acquisitionKind -eq 'Purchase' -and $Body.quantity -eq 1 -and $Body.billingFrequency -eq 'Monthly' -and -not $Body.ContainsKey('offerType')
        }
    }

    It 'Should start a trial of an offer type' {
        $null = New-MSCommercePurchase -OfferType 'SaaS' -AcquisitionKind TrialWithoutPaymentMethod -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Body.offerType -eq 'SaaS' -and $Body.acquisitionKind -eq 'TrialWithoutPaymentMethod' -and -not $Body.ContainsKey('productId')
        }
    }

    It 'Should buy nothing with -WhatIf' {
        New-MSCommercePurchase -ProductId 'CFQ7TTC0H9MP' -Quantity 3 -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should bind ProductId from piped decisions' {
        $decision = [pscustomobject]@{ PSTypeName = 'MSCommerce.AcquisitionDecision'; Allowed = $true; ProductId = 'CFQ7TTC0HDB1' }
        $null = $decision | New-MSCommercePurchase -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Body.productId -eq 'CFQ7TTC0HDB1' }
    }

    It 'Should report a refusal by the policy with its refusal code' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'PolicyDisabled' -Category 'PermissionDenied')
        }
        $null = New-MSCommercePurchase -ProductId 'CFQ7TTC0H9MP' -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'PolicyDisabled*'
    }
}
